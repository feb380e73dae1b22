// POST /api/auth/invite {token, name?, password} - use a one-time link (setup, invite, reset) and sign in
import { clientAddress } from "@/lib/server/auth/client-address";
import { userFromSessionCookie } from "@/lib/server/auth/guard";
import { createSession } from "@/lib/server/auth/session";
import { acceptInvite } from "@/lib/server/auth/users";
import { route } from "@/lib/server/http/route";
import { acceptInviteSchema, signedInResponse } from "@/lib/contracts/auth";

export const POST = route(
  { role: "public", body: acceptInviteSchema, name: "account details", response: signedInResponse, status: 201 },
  async ({ db, req, body, session }) => {
    const cookie = await createSession(db, await acceptInvite(db, body, clientAddress(req)));
    session.start(cookie);
    return { user: (await userFromSessionCookie(db, cookie))! };
  },
);

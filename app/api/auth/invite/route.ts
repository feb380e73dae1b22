// POST /api/auth/invite {token, name?, password} - use a one-time link (setup, invite, reset) and sign in
import { NextResponse } from "next/server";
import { assertSameOrigin, sessionFor, setSessionCookie, userFromSessionCookie } from "@/lib/server/auth/guard";
import { handle, parseBody } from "@/lib/server/http/route";
import { acceptInvite } from "@/lib/server/auth/users";
import { acceptInviteSchema } from "@/lib/schemas/auth";

export const dynamic = "force-dynamic";

export function POST(req: Request) {
  return handle(async () => {
    assertSameOrigin(req);
    const body = await parseBody(req, acceptInviteSchema, "invite");
    if (!body.ok) return body.response;
    const userId = await acceptInvite(body.data);
    const cookie = await sessionFor(userId);
    const user = await userFromSessionCookie(cookie);
    return setSessionCookie(NextResponse.json({ user }, { status: 201 }), req, cookie);
  });
}

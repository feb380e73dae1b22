// POST /api/auth/sign-out {everywhere?} - end this session (everywhere: every session of the account)
import { signOut } from "@/lib/server/auth/sign-in";
import { route } from "@/lib/server/http/route";
import { okSchema, signOutSchema } from "@/lib/contracts/auth";

export const POST = route({ role: "public", body: signOutSchema, name: "sign-out", response: okSchema }, async ({ db, req, body, session }) => {
  await signOut(db, req, body.everywhere);
  session.end();
  return { ok: true };
});

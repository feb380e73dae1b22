// POST /api/auth/sign-out {everywhere?} - end this session (everywhere: every session of the account)
import { currentUser } from "@/lib/server/auth/guard";
import { route } from "@/lib/server/http/route";
import { okSchema, signOutSchema } from "@/lib/contracts/auth";

export const POST = route({ role: "public", body: signOutSchema, name: "sign-out", response: okSchema }, async ({ db, req, body, session }) => {
  const user = await currentUser(db, req);
  if (user && body.everywhere) await db.user.update({ where: { id: user.id }, data: { sessionVersion: { increment: 1 } } });
  session.end();
  return { ok: true };
});

// PUT /api/me/password {currentPassword, newPassword} - change one's own password; other sessions end, this browser gets a new one
import { createSession } from "@/lib/server/auth/session";
import { changePassword } from "@/lib/server/auth/users";
import { route } from "@/lib/server/http/route";
import { changePasswordSchema, okSchema } from "@/lib/contracts/auth";

export const PUT = route({ role: "labeler", body: changePasswordSchema, name: "password change", response: okSchema }, async ({ db, user, body, session }) => {
  await changePassword(db, user.id, body.currentPassword, body.newPassword);
  session.start(await createSession(db, user.id));
  return { ok: true };
});

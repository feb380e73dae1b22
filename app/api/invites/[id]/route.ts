// DELETE /api/invites/:id - revoke a link not used yet (admin)
import { revokeInvite } from "@/lib/server/auth/users";
import { route } from "@/lib/server/http/route";
import { okSchema } from "@/lib/contracts/auth";

export const DELETE = route({ role: "admin", params: { id: "invite" }, response: okSchema }, async ({ db, params }) => {
  await revokeInvite(db, params.id);
  return { ok: true };
});

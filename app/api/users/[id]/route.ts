// PATCH /api/users/:id {role?, disabled?} - change an account's role or disable it (admin)
import { updateUser } from "@/lib/server/auth/users";
import { route } from "@/lib/server/http/route";
import { updateUserSchema, userResponse } from "@/lib/contracts/auth";

export const PATCH = route(
  { role: "admin", params: { id: "user" }, body: updateUserSchema, name: "user change", response: userResponse },
  async ({ db, user, params, body }) => ({ user: await updateUser(db, user, params.id, body) }),
);

// POST /api/users/:id/reset - a one-time link to set a new password for the account (admin; shown once)
import { createResetLink } from "@/lib/server/auth/users";
import { route } from "@/lib/server/http/route";
import { linkResponse } from "@/lib/contracts/auth";

export const POST = route({ role: "admin", params: { id: "user" }, response: linkResponse, status: 201 }, async ({ db, user, params }) => ({
  link: await createResetLink(db, user, params.id),
}));

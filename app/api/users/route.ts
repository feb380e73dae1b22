// GET /api/users - every account with its label count; POST {name, role, password} - create one (admin)
import { createUser, listUsers } from "@/lib/server/auth/users";
import { route } from "@/lib/server/http/route";
import { createUserSchema, userResponse, usersResponse } from "@/lib/contracts/auth";

export const GET = route({ role: "admin", response: usersResponse }, async ({ db }) => ({ users: await listUsers(db) }));

export const POST = route({ role: "admin", body: createUserSchema, name: "user", response: userResponse, status: 201 }, async ({ db, body }) => ({
  user: await createUser(db, body),
}));

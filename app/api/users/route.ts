// GET /api/users - every account with its label count; POST {name, role, password} - create one (admin)
import { requireUser } from "@/lib/server/auth/guard";
import { handle, json, parseBody } from "@/lib/server/http/route";
import { createUser, listUsers } from "@/lib/server/auth/users";
import { createUserSchema } from "@/lib/schemas/auth";

export const dynamic = "force-dynamic";

export function GET(req: Request) {
  return handle(async () => {
    await requireUser(req, "admin");
    return json({ users: await listUsers() });
  });
}

export function POST(req: Request) {
  return handle(async () => {
    await requireUser(req, "admin");
    const body = await parseBody(req, createUserSchema, "user");
    if (!body.ok) return body.response;
    return json({ user: await createUser(body.data) }, 201);
  });
}

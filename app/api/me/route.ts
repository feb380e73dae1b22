// GET /api/me - the signed-in account (401 when signed out)
import { route } from "@/lib/server/http/route";
import { meResponse } from "@/lib/contracts/auth";

export const GET = route({ role: "labeler", response: meResponse }, async ({ user }) => ({ user }));

// PUT /api/me/password {currentPassword, newPassword} - change one's own password; other sessions end, this one goes on
import { NextResponse } from "next/server";
import { requireUser, sessionFor, setSessionCookie } from "@/lib/server/auth/guard";
import { handle, parseBody } from "@/lib/server/http/route";
import { changePassword } from "@/lib/server/auth/users";
import { changePasswordSchema } from "@/lib/schemas/auth";

export const dynamic = "force-dynamic";

export function PUT(req: Request) {
  return handle(async () => {
    const user = await requireUser(req, "labeler");
    const body = await parseBody(req, changePasswordSchema, "password change");
    if (!body.ok) return body.response;
    await changePassword(user.id, body.data.currentPassword, body.data.newPassword);
    return setSessionCookie(NextResponse.json({ ok: true }), req, await sessionFor(user.id));
  });
}

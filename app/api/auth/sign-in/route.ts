// POST /api/auth/sign-in {name, password} - start a session (httpOnly cookie); failures are rate limited
import { NextResponse } from "next/server";
import { setSessionCookie, signIn } from "@/lib/server/auth/guard";
import { handle, parseBody } from "@/lib/server/http/route";
import { signInSchema } from "@/lib/schemas/auth";

export const dynamic = "force-dynamic";

export function POST(req: Request) {
  return handle(async () => {
    const body = await parseBody(req, signInSchema, "sign-in");
    if (!body.ok) return body.response;
    const { user, cookie } = await signIn(req, body.data.name, body.data.password);
    return setSessionCookie(NextResponse.json({ user }), req, cookie);
  });
}

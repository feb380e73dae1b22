// POST /api/auth/sign-out {everywhere?} - end this session (everywhere: every session of the account)
import { z } from "zod";
import { NextResponse } from "next/server";
import { assertSameOrigin, clearSessionCookie, currentUser } from "@/lib/server/auth/guard";
import { getDb } from "@/lib/server/db/client";
import { handle, parseBody } from "@/lib/server/http/route";

export const dynamic = "force-dynamic";
const bodySchema = z.object({ everywhere: z.boolean().default(false) }).strict();

export function POST(req: Request) {
  return handle(async () => {
    assertSameOrigin(req);
    const body = await parseBody(req, bodySchema, "sign-out");
    if (!body.ok) return body.response;
    const user = await currentUser(req);
    if (user && body.data.everywhere) {
      await (await getDb()).user.update({ where: { id: user.id }, data: { sessionVersion: { increment: 1 } } });
    }
    return clearSessionCookie(NextResponse.json({ ok: true }), req);
  });
}

// GET /api/me - who the server takes the caller to be; PUT /api/me {name} - set the oprl_user cookie (until sign-in, issue 5)
import { z } from "zod";
import { NextResponse } from "next/server";
import { DEFAULT_USER, USER_COOKIE, USER_NAME_RE, userNameFrom } from "@/lib/server/labelling";
import { handle, json, parseBody } from "@/lib/server/http";

export const dynamic = "force-dynamic";
const bodySchema = z.object({ name: z.string().trim().regex(USER_NAME_RE, "1-40 letters, digits, spaces or _ . @ -") });

export function GET(req: Request) {
  return handle(async () => json({ name: userNameFrom(req), default: DEFAULT_USER }));
}

export function PUT(req: Request) {
  return handle(async () => {
    const body = await parseBody(req, bodySchema, "user");
    if (!body.ok) return body.response;
    const res = NextResponse.json({ name: body.data.name });
    res.cookies.set(USER_COOKIE, body.data.name, { path: "/", sameSite: "lax", maxAge: 365 * 24 * 3600 });
    return res;
  });
}

// POST /api/auth/sign-in {name, password} - start a session (httpOnly cookie); failures are rate limited
import { signIn } from "@/lib/server/auth/sign-in";
import { route } from "@/lib/server/http/route";
import { signedInResponse, signInSchema } from "@/lib/contracts/auth";

export const POST = route({ role: "public", body: signInSchema, name: "sign-in", response: signedInResponse }, async ({ db, req, body, session }) => {
  const { user, cookie } = await signIn(db, req, body.name, body.password);
  session.start(cookie);
  return { user };
});

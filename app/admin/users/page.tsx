import type { Metadata } from "next";
import { requirePageUser } from "@/lib/server/auth/page";
import { UsersAdmin } from "../../_components/UsersAdmin";

export const metadata: Metadata = { title: "Users · oprl-studio" };

export default async function UsersPage() {
  const me = await requirePageUser("admin", "/admin/users");
  return <UsersAdmin meId={me.id} />;
}

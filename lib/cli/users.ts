// Accounts from the command line, for whoever runs the server (e.g. the admin lost their password):
//   npm run users -- list
//   npm run users -- invite [--role labeler|researcher|admin] [--hours 72]   print a one-time invite link
//   npm run users -- reset NAME                                              print a one-time password link
//   npm run users -- role NAME ROLE                                          change a role (and enable the account)
// Links use APP_URL (default http://localhost:$PORT, PORT 3000); without APP_URL a note on stderr says which
// address the link assumes. A usage error exits with code 2.
import { z } from "zod";
import { closeDb, getDb } from "../server/db/client";
import { appUrl, createInvite, createResetLink, listUsers } from "../server/auth/users";
import { getConfig } from "../config";
import { ROLES } from "../contracts/auth";

class UsageError extends Error {}

/** This process cannot see where the app listens: without APP_URL, say which address the printed link assumes. */
function noteLinkBase(): void {
  if (getConfig().APP_URL) return;
  console.error(
    `note: APP_URL is not set, so the link assumes the app at ${appUrl()}${process.env.PORT ? " (PORT)" : " (the default port)"}; ` +
      "set APP_URL to the address people open (e.g. APP_URL=https://labels.example.org).",
  );
}

const roleSchema = z.enum(ROLES, { error: `role must be one of ${ROLES.join(", ")}` });

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  if (i === -1) return undefined;
  const value = args[i + 1];
  if (value === undefined || value.startsWith("--")) throw new UsageError(`--${name} needs a value`);
  args.splice(i, 2);
  return value;
}

function parse<T>(schema: z.ZodType<T>, value: unknown, what: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new UsageError(`${what}: ${r.error.issues[0].message}`);
  return r.data;
}

async function userByName(name: string | undefined) {
  if (!name) throw new UsageError("name the account");
  // Names are stored trimmed and lower case.
  const user = await (await getDb()).user.findUnique({ where: { name: name.trim().toLowerCase() } });
  if (!user) throw new UsageError(`no account named ${name}`);
  return user;
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  switch (command) {
    case "list": {
      for (const u of await listUsers(await getDb())) {
        console.log(`${u.name.padEnd(24)} ${u.role.padEnd(10)} ${u.disabled ? "disabled" : u.hasPassword ? "active" : "no password"}  labels ${u.labels}`);
      }
      return;
    }
    case "invite": {
      const role = parse(roleSchema, flag(args, "role") ?? "labeler", "--role");
      const hours = parse(z.coerce.number().int().min(1).max(720), flag(args, "hours") ?? "72", "--hours");
      if (args.length) throw new UsageError(`unexpected ${args[0]}`);
      const link = await createInvite(await getDb(), null, { role, expiresInHours: hours });
      console.log(`invite link for a new ${role} (one use, until ${link.expiresAt}):\n${link.url}`);
      noteLinkBase();
      return;
    }
    case "reset": {
      const user = await userByName(args[0]);
      const link = await createResetLink(await getDb(), null, user.id);
      console.log(`password link for ${user.name} (one use, until ${link.expiresAt}):\n${link.url}`);
      noteLinkBase();
      return;
    }
    case "role": {
      const user = await userByName(args[0]);
      const role = parse(roleSchema, args[1], "role");
      await (await getDb()).user.update({ where: { id: user.id }, data: { role, disabled: false } });
      console.log(`${user.name} is now ${role}`);
      return;
    }
    default:
      throw new UsageError(command ? `unknown command ${command}` : "give a command: list, invite, reset or role");
  }
}

main(process.argv.slice(2))
  .then(() => closeDb())
  .catch(async (err) => {
    await closeDb().catch(() => {});
    if (err instanceof UsageError) {
      console.error(`users: ${err.message}\nusage: npm run users -- list | invite [--role ROLE] [--hours N] | reset NAME | role NAME ROLE`);
      process.exit(2);
    }
    console.error(err);
    process.exit(1);
  });

// tfjs and the database drivers load native or wasm code at run time: keep them out of the bundle.
// authInterrupts: pages answer 403 through forbidden() (app/forbidden.tsx) when the role is missing.
/** @type {import('next').NextConfig} */
const nextConfig = {
  serverExternalPackages: [
    "@tensorflow/tfjs",
    "@tensorflow/tfjs-core",
    "@tensorflow/tfjs-backend-cpu",
    "@tensorflow/tfjs-backend-wasm",
    "@tensorflow/tfjs-node",
    "better-sqlite3",
    "@prisma/adapter-better-sqlite3",
    "@prisma/adapter-pg",
    "pg",
  ],
  experimental: { authInterrupts: true },
};

export default nextConfig;

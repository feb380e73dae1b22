export * from "./layout";
export * from "./env";
export * from "./truth";

import "server-only";
import packageJson from "@/package.json";

/** The running app's version (package.json): stamped on evidence it produces, such as the company verify file. */
export const APP_VERSION: string = packageJson.version;

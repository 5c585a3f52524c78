/** The process loader: images and modules, the process environment (PEB/TEB/parameters/LDR), the launcher. */
export * from "./errors";
export * from "./layout";
export { Blob, peekU32, peekU64, pokeU32, pokeU64 } from "./blob";
export {
  ModuleTable,
  moduleKey,
  parseImage,
  sectionProtection,
  type DllFile,
  type DllResolver,
  type Module,
  type ModuleKind,
} from "./modules";
export {
  allocateBlock,
  defaultEnvironment,
  environmentBlock,
  quoteArg,
  writeLoaderData,
  writePeb,
  writeProcessParameters,
  writeTeb,
  appendLoaderEntry,
} from "./environment";
export {
  buildLauncher,
  buildThreadLauncher,
  type InitCall,
  type LauncherCode,
  type LauncherTraps,
  type ThreadLauncherCode,
} from "./launcher";

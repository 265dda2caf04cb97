// Types of scripts/validate-k8s.mjs for the TypeScript tests that import it.
export type K8sObject = { apiVersion?: string; kind?: string; metadata?: { name?: string; [k: string]: unknown }; spec?: any; [k: string]: unknown };
export const root: string;
export function findRenderer(): { cmd: string; args: string[] } | null;
export function render(dir: string): string;
export function parseYaml(text: string): K8sObject[];
export function crossFieldErrors(obj: K8sObject): string[];
export function setErrors(objs: K8sObject[]): string[];
export function validateObjects(objs: K8sObject[]): Promise<string[]>;
export function overlays(): string[];

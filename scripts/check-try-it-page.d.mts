// Types of scripts/check-try-it-page.mjs for the TypeScript tests that import it.
export const CHROMIUM: string;
export function checkTryItPage(url: string, o?: { degraded?: boolean; screenshot?: string }): Promise<{ status: string; popular: number; notice: string | null; picks: number[]; top: number[] }>;

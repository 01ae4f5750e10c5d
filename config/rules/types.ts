import type { z } from "zod";
import type { stackConfigShape } from "../schema";

/** The parsed stack config as rules see it (before derived defaults). */
export type Parsed = z.output<z.ZodObject<typeof stackConfigShape>>;
export type Issue = { path: (string | number)[]; message: string; input?: unknown };
export interface Rule {
    /** The sections the rule reads: it runs whenever these parsed, even if others did not. */
    needs: (keyof Parsed)[];
    check: (config: Parsed) => Issue[];
}

import { REPLACEMENT_KEYS, replacementKeys } from "./replacement";
import { Finding, FlowRow, IamRow, SECRET_MARK, Section, Snapshot, SnapshotResource } from "./snapshot";

export interface InputChange {
    path: string;
    /** Short scalar values only (never a secret's digest): what a reviewer can read in one line. */
    before?: string;
    after?: string;
    secret?: boolean;
}

export interface ResourceChange {
    kind: "added" | "removed" | "changed";
    type: string;
    name: string;
    urn: string;
    inputs: InputChange[];
    /** The URN it had at the base, when an alias carries it over. */
    movedFrom?: string;
    /** Set when the change destroys stateful data: the replacement-forcing keys, or removal of a stateful type. */
    destroys?: { keys: string[]; loses: string };
}

export interface FlowChange extends Omit<FlowRow, "allowed"> {
    before?: boolean;
    after?: boolean;
}

export interface IamChange extends Omit<IamRow, "decision"> {
    before?: IamRow["decision"];
    after?: IamRow["decision"];
}

export type Compared<T> = { changes: T[]; head: number } | { unavailable: string };

export interface ReviewDiff {
    stack: string;
    base?: { tree: string; error?: string };
    head: { tree: string; error?: string; resources: number };
    resources: ResourceChange[];
    flows: Compared<FlowChange>;
    /** Head's rows that do not hold (a required flow closed, a forbidden one open), changed or not. */
    failingFlows: FlowRow[];
    iam: Compared<IamChange>;
    policies: { findings: (Finding & { isNew: boolean })[]; resolved: Finding[] } | { unavailable: string };
}

const SCALAR_WIDTH = 60;
const isSecret = (v: unknown) => typeof v === "object" && v !== null && SECRET_MARK in v;

function display(value: unknown): string | undefined {
    if (value === undefined) return "(unset)";
    if (value !== null && typeof value === "object") return undefined;
    const text = JSON.stringify(value);
    return text.length <= SCALAR_WIDTH ? text : undefined;
}

/** The leaf paths where two input trees differ; arrays of different lengths differ as a whole. */
export function changedInputs(before: unknown, after: unknown, path = ""): InputChange[] {
    if (JSON.stringify(before) === JSON.stringify(after)) return [];
    if (isSecret(before) || isSecret(after)) return [{ path: path || "(inputs)", secret: true }];
    const bothRecords = [before, after].every((v) => typeof v === "object" && v !== null && !Array.isArray(v));
    const sameArrays = Array.isArray(before) && Array.isArray(after) && before.length === after.length;
    if (bothRecords || sameArrays) {
        const b = before as Record<string, unknown>;
        const a = after as Record<string, unknown>;
        const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].sort();
        return keys.flatMap((k) => changedInputs(b[k], a[k], Array.isArray(before) ? `${path}[${k}]` : path ? `${path}.${k}` : k));
    }
    const [b, a] = [display(before), display(after)];
    return [{ path: path || "(inputs)", ...(b !== undefined && a !== undefined ? { before: b, after: a } : {}) }];
}

function compareResource(base: SnapshotResource, head: SnapshotResource): ResourceChange | undefined {
    const inputs = changedInputs(base.inputs, head.inputs);
    if (base.protect !== head.protect) inputs.push({ path: "(protect)", before: String(base.protect), after: String(head.protect) });
    if (inputs.length === 0 && base.urn === head.urn) return undefined;
    const keys = replacementKeys(
        head.type,
        inputs.map((i) => i.path),
    );
    return {
        kind: "changed",
        type: head.type,
        name: head.name,
        urn: head.urn,
        inputs,
        ...(base.urn !== head.urn ? { movedFrom: base.urn } : {}),
        ...(keys.length > 0 ? { destroys: { keys, loses: REPLACEMENT_KEYS[head.type]!.loses } } : {}),
    };
}

/** Added, removed and changed resources by URN (an alias in head carries a base URN over: a move). */
export function diffResources(base: readonly SnapshotResource[], head: readonly SnapshotResource[]): ResourceChange[] {
    const baseByUrn = new Map(base.map((r) => [r.urn, r]));
    const matched = new Set<string>();
    const changes: ResourceChange[] = [];
    for (const r of head) {
        const previous = baseByUrn.get(r.urn) ?? r.aliasUrns.map((u) => baseByUrn.get(u)).find((p) => p !== undefined);
        if (previous === undefined) {
            changes.push({ kind: "added", type: r.type, name: r.name, urn: r.urn, inputs: [] });
            continue;
        }
        matched.add(previous.urn);
        const change = compareResource(previous, r);
        if (change) changes.push(change);
    }
    for (const r of base.filter((b) => !matched.has(b.urn))) {
        const rule = REPLACEMENT_KEYS[r.type];
        const retained = r.retainOnDelete;
        changes.push({
            kind: "removed",
            type: r.type,
            name: r.name,
            urn: r.urn,
            inputs: [],
            ...(rule && !retained ? { destroys: { keys: [], loses: rule.loses } } : {}),
        });
    }
    return changes;
}

/** Rows of two tables compared by key: the rows whose value differs or exists on one side only. */
function compareRows<T, C>(
    base: Section<T>,
    head: Section<T>,
    key: (row: T) => string,
    change: (row: T, before?: T, after?: T) => C,
    same: (a: T, b: T) => boolean,
): Compared<C> {
    if ("unavailable" in head) return { unavailable: `head: ${head.unavailable}` };
    if ("unavailable" in base) return { unavailable: `base: ${base.unavailable}` };
    const baseByKey = new Map(base.rows.map((r) => [key(r), r]));
    const headKeys = new Set(head.rows.map(key));
    const changes: C[] = [];
    for (const r of head.rows) {
        const before = baseByKey.get(key(r));
        if (before === undefined || !same(before, r)) changes.push(change(r, before, r));
    }
    for (const r of base.rows.filter((b) => !headKeys.has(key(b)))) changes.push(change(r, r, undefined));
    return { changes, head: head.rows.length };
}

const flowKey = (r: FlowRow) => `${r.table}|${r.flow}|${r.port}|${r.expected}`;
const iamKey = (r: IamRow) => `${r.role}|${r.action}|${r.resource}|${r.from ?? ""}`;
const findingKey = (f: Finding) => `${f.policy}|${f.urn ?? ""}|${f.message}`;

export const flowHolds = (r: Pick<FlowRow, "expected">, allowed: boolean) => allowed === (r.expected === "allow");

/** Compares two snapshots of a stack section by section; the base may be absent (no --base, or it could not be evaluated). */
export function diffSnapshots(base: Snapshot | undefined, head: Snapshot): ReviewDiff {
    const empty: Snapshot = {
        stack: head.stack,
        tree: "(none)",
        resources: [],
        flows: { rows: [] },
        iam: { rows: [] },
        policies: { rows: [] },
    };
    const b = base ?? empty;
    const baseError = base?.error ? { unavailable: `the program failed at the base` } : undefined;
    const flows = compareRows<FlowRow, FlowChange>(
        baseError ?? b.flows,
        head.flows,
        flowKey,
        ({ allowed: _a, ...row }, before, after) => ({ ...row, before: before?.allowed, after: after?.allowed }),
        (x, y) => x.allowed === y.allowed,
    );
    const iam = compareRows<IamRow, IamChange>(
        baseError ?? b.iam,
        head.iam,
        iamKey,
        ({ decision: _d, ...row }, before, after) => ({ ...row, before: before?.decision, after: after?.decision }),
        (x, y) => x.decision === y.decision,
    );
    let policies: ReviewDiff["policies"];
    if ("unavailable" in head.policies) policies = { unavailable: `head: ${head.policies.unavailable}` };
    else {
        const basePolicies = baseError ?? b.policies;
        const known = base && "rows" in basePolicies ? new Set(basePolicies.rows.map(findingKey)) : undefined;
        const headKeys = new Set(head.policies.rows.map(findingKey));
        policies = {
            findings: head.policies.rows.map((f) => ({ ...f, isNew: known !== undefined && !known.has(findingKey(f)) })),
            resolved: "rows" in basePolicies ? basePolicies.rows.filter((f) => !headKeys.has(findingKey(f))) : [],
        };
    }
    return {
        stack: head.stack,
        ...(base ? { base: { tree: base.tree, ...(base.error ? { error: base.error } : {}) } } : {}),
        head: { tree: head.tree, ...(head.error ? { error: head.error } : {}), resources: head.resources.length },
        resources: base && !base.error && !head.error ? diffResources(base.resources, head.resources) : [],
        flows,
        failingFlows: "rows" in head.flows ? head.flows.rows.filter((r) => !flowHolds(r, r.allowed)) : [],
        iam,
        policies,
    };
}

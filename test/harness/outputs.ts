import * as pulumi from "@pulumi/pulumi";

/** Resolves an Output under the mocks, with whether it is marked secret. */
export async function resolve<T>(output: pulumi.Output<T>): Promise<{ value: T; secret: boolean }> {
    const value = await new Promise<T>((done) => output.apply((v) => done(v)));
    return { value, secret: await pulumi.isSecret(output) };
}

export async function resolveAll(
    outputs: Record<string, pulumi.Output<string>>,
): Promise<Record<string, { value: string; secret: boolean }>> {
    const entries = await Promise.all(Object.entries(outputs).map(async ([k, v]) => [k, await resolve(v)] as const));
    return Object.fromEntries(entries);
}

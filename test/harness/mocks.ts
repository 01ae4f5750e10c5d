import * as pulumi from "@pulumi/pulumi";
import * as crypto from "crypto";

let mockKeyPair: { publicKeyPem: string; privateKeyPem: string } | undefined;
/** Where a process may read the key pair of another (evaluations compared across processes, test/checkouts). */
export const MOCK_KEY_PAIR_ENV = "PLATFORM_TEST_MOCK_KEY_PAIR";
/** A real RSA key pair (generated once per process), so code that parses the PEM runs for real. */
export function rsaKeyPair() {
    const shared = process.env[MOCK_KEY_PAIR_ENV];
    if (mockKeyPair === undefined && shared !== undefined) mockKeyPair = JSON.parse(shared) as typeof mockKeyPair;
    if (mockKeyPair === undefined) {
        const pair = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
        mockKeyPair = {
            publicKeyPem: pair.publicKey.export({ type: "spki", format: "pem" }).toString(),
            privateKeyPem: pair.privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
        };
    }
    return mockKeyPair;
}

/** What a generated secret (random.RandomPassword) resolves to under test: easy to scan for. */
export const GENERATED_SECRET_PREFIX = "MOCK-GENERATED-SECRET-";

export type InvokeHandler = (inputs: Record<string, unknown>) => Record<string, unknown>;

/** Output values that real providers compute and that the program reads back. */
function computedOutputs(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const outputs: Record<string, unknown> = {};
    if (type.startsWith("aws:")) {
        outputs["arn"] = `arn:aws:mock:eu-west-1:000000000000:${type.split(":").pop()}/${name}`;
        outputs["name"] = inputs["name"] ?? `${name}-physical`;
        outputs["keyId"] = `${name}-key-id`;
    }
    if (type === "aws:eks/cluster:Cluster") {
        outputs["endpoint"] = `https://${name}.eks.mock`;
        outputs["certificateAuthority"] = { data: "TU9DSy1DQQ==" };
        outputs["identities"] = [{ oidcs: [{ issuer: `https://oidc.eks.mock/id/${name}` }] }];
        outputs["vpcConfig"] = { ...(inputs["vpcConfig"] as object), clusterSecurityGroupId: `sg-${name}` };
    }
    if (type === "random:index/randomPassword:RandomPassword") outputs["result"] = `${GENERATED_SECRET_PREFIX}${name}`;
    if (type === "random:index/randomId:RandomId") outputs["hex"] = "5eed0001";
    if (type === "tls:index/privateKey:PrivateKey") Object.assign(outputs, rsaKeyPair());
    if (type === "aws:rds/instance:Instance") outputs["address"] = `${name}.rds.mock`;
    if (type === "aws:ec2/launchTemplate:LaunchTemplate") outputs["latestVersion"] = 1;
    if (type === "aws:acm/certificate:Certificate") {
        const domains = [inputs["domainName"], ...((inputs["subjectAlternativeNames"] as string[] | undefined) ?? [])];
        outputs["domainValidationOptions"] = domains.map((domainName) => ({
            domainName,
            resourceRecordName: `_acme-validation.${String(domainName)}.`,
            resourceRecordType: "CNAME",
            resourceRecordValue: `_validation.acm-validations.mock.`,
        }));
    }
    if (type === "aws:route53/record:Record") outputs["fqdn"] = inputs["name"];
    if (type === "aws:acm/certificateValidation:CertificateValidation") outputs["certificateArn"] = inputs["certificateArn"];
    if (type === "aws:rds/proxy:Proxy") outputs["endpoint"] = `${name}.proxy.rds.mock`;
    if (type === "aws:elasticache/replicationGroup:ReplicationGroup") {
        outputs["primaryEndpointAddress"] = `${name}.primary.cache.mock`;
        outputs["configurationEndpointAddress"] = `${name}.config.cache.mock`;
    }
    return outputs;
}

/**
 * Strict mocks: every resource gets a deterministic id and its inputs back (plus computed outputs),
 * and any provider function call that the test did not mock explicitly fails the run.
 */
export class StrictMocks implements pulumi.runtime.Mocks {
    readonly errors: Error[] = [];

    /**
     * @param invokes explicit answers to provider functions; any other call fails.
     * @param ownStackOutputs what a stack's reference to itself reads: its outputs from the last update.
     */
    constructor(
        private readonly invokes: Readonly<Record<string, InvokeHandler>> = {},
        private readonly ownStackOutputs: Record<string, unknown> = {},
    ) {}

    newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
        if (args.type === "pulumi:pulumi:StackReference") {
            const self = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
            if (args.inputs["name"] !== self) {
                const error = new Error(`un-mocked stack reference ${String(args.inputs["name"])}: only ${self} is mocked`);
                this.errors.push(error);
                throw error;
            }
            return { id: self, state: { name: self, outputs: this.ownStackOutputs, secretOutputNames: [] } };
        }
        return { id: `${args.name}-id`, state: { ...args.inputs, ...computedOutputs(args.type, args.name, args.inputs) } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const handler = this.invokes[args.token];
        if (handler === undefined) {
            const error = new Error(`un-mocked invoke ${args.token}(${JSON.stringify(args.inputs)}): add an explicit mock`);
            this.errors.push(error);
            throw error;
        }
        try {
            return handler(args.inputs);
        } catch (error) {
            // The SDK's mock transport drops messages; keep them for runStack to rethrow.
            this.errors.push(error as Error);
            throw error;
        }
    }
}

/** The GitHub accounts the stack files name, with ids as the GitHub API would return them. */
export const GITHUB_USERS: Record<string, number> = {
    "supernova-lead": 1001,
    "platform-lead": 1002,
    // examples/ (the other seed systems)
    "kametrix-lead": 1101,
    "kametrix-ops": 1102,
    "volteryde-lead": 1201,
    "volteryde-devops": 1202,
    "learinal-lead": 1301,
    "learinal-ops": 1302,
};
export const GITHUB_TEAMS: Record<string, number> = { "supernova-developers": 2001, "supernova-release": 2002, "volteryde-release": 2202 };
export const GITHUB_REPOSITORIES = [
    "collab/supernova",
    "collab/platform",
    "kametrix/kametrix",
    "kametrix/platform",
    "volteryde/volteryde-platform",
    "volteryde/platform",
    "learinal/learinal-backend",
    "learinal/platform",
];

function lookup<T>(table: Record<string, T>, key: unknown, what: string): T {
    const found = table[String(key)];
    if (found === undefined) throw new Error(`no mocked GitHub ${what} ${String(key)}`);
    return found;
}

/** Explicit answers to the GitHub lookups the program makes; any other argument fails like any other invoke. */
export const GITHUB_INVOKES: Record<string, InvokeHandler> = {
    "github:index/getUser:getUser": ({ username }) => ({ id: String(lookup(GITHUB_USERS, username, "user")), login: username }),
    "github:index/getTeam:getTeam": ({ slug }) => ({ id: String(lookup(GITHUB_TEAMS, slug, "team")), slug }),
    "github:index/getRepository:getRepository": ({ fullName }) => {
        if (!GITHUB_REPOSITORIES.includes(String(fullName))) throw new Error(`no mocked GitHub repository ${String(fullName)}`);
        return { fullName, nodeId: `R_${String(fullName).replace("/", "_")}` };
    },
};

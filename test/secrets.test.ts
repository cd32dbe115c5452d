// The cluster's generated secrets (components/secrets.ts), the component alone under Pulumi's
// mocks: which passwords it generates, which config values it takes instead, and the
// connection strings it hands out. The whole-program view is in programSecrets.test.ts, rotation.test.ts
// and localRotation.test.ts.
import * as pulumi from "@pulumi/pulumi";
import { SECRET_LENGTHS, passwordArgs, rotationKeepers } from "../components/passwords";
import { GeneratedSecrets, secretOutputs, secretRotations } from "../components/secrets";
import { mockPassword } from "./mockRuntime";

const PASSWORD = "random:index/randomPassword:RandomPassword";
const ENDPOINTS = { databaseHost: "db.example.com", redisHost: "cache.example.com", tls: true };
const NO_ROTATION = { dbPassword: 0, redisAuthToken: 0, adminPassword: 0 };

beforeAll(async () => {
    await pulumi.runtime.setMocks(
        {
            newResource: (args) => {
                const result = args.type === PASSWORD ? { result: mockPassword(args.name, args.inputs) } : {};
                return { id: args.name, state: { ...args.inputs, ...result } };
            },
            call: (args) => args.inputs,
        },
        "new-api-cluster",
        "dev",
    );
});

/** An output's value and whether it is secret. */
async function settle(output: pulumi.Output<string>): Promise<{ value: string; secret: boolean }> {
    const value = await new Promise<string>((done) => output.apply(done));
    return { value, secret: await pulumi.isSecret(output) };
}

/** The component and the arguments of the passwords that are its children (its transformations reach only those), by name. */
function generatedChildren(args: ConstructorParameters<typeof GeneratedSecrets>[1]): { secrets: GeneratedSecrets; children: Record<string, unknown> } {
    const children: Record<string, unknown> = {};
    const secrets = new GeneratedSecrets("c", args, {
        transformations: [
            (t) => {
                if (t.type === PASSWORD) {
                    children[t.name] = t.props;
                }
                return undefined;
            },
        ],
    });
    return { secrets, children };
}

describe("passwordArgs", () => {
    test.each(Object.entries(SECRET_LENGTHS))("%s: letters and digits of every class, no specials, %i long", (secret, length) => {
        expect(passwordArgs(secret as keyof typeof SECRET_LENGTHS)).toEqual({
            length,
            special: false,
            upper: true,
            lower: true,
            numeric: true,
            minUpper: 4,
            minLower: 4,
            minNumeric: 4,
        });
    });

    test("generation 0 adds no keepers, so a stack made before rotation existed keeps its secrets", () => {
        expect(rotationKeepers(0)).toBeUndefined();
        expect(passwordArgs("dbPassword", 0)).not.toHaveProperty("keepers");
        expect(passwordArgs("dbPassword", 0)).toEqual(passwordArgs("dbPassword"));
    });

    test("any other generation is a keeper: a new generation replaces the password", () => {
        expect(passwordArgs("redisAuthToken", 3)).toEqual({ ...passwordArgs("redisAuthToken"), keepers: { rotation: "3" } });
        expect(rotationKeepers(1)).not.toEqual(rotationKeepers(2));
    });

    test("config's rotation keys are the generations", () => {
        expect(secretRotations({ dbPasswordRotation: 1, redisAuthTokenRotation: 2, adminPasswordRotation: 3 })).toEqual({
            dbPassword: 1,
            redisAuthToken: 2,
            adminPassword: 3,
        });
    });
});

describe("GeneratedSecrets", () => {
    test("one password per node secret, children of the component, each value a secret", async () => {
        const { secrets, children } = generatedChildren({ adminPassword: false, rotations: NO_ROTATION });
        const values = await Promise.all(Object.values(secrets.values).map(settle));
        expect(Object.keys(children).sort()).toEqual(["c-crypto-secret", "c-db-password", "c-redis-auth-token", "c-session-secret"]);
        expect(values.every((v) => v.secret && /^[A-Za-z0-9]{40,48}$/.test(v.value))).toBe(true);
        expect(secrets.adminPassword).toBeUndefined();
    });

    test("the admin password when asked for, with its generation", async () => {
        const { secrets, children } = generatedChildren({ adminPassword: true, rotations: { ...NO_ROTATION, adminPassword: 2 } });
        expect(await settle(secrets.adminPassword!)).toMatchObject({ secret: true, value: expect.stringMatching(/^[A-Za-z0-9]{20}$/) });
        expect(children["c-admin-password"]).toEqual({ ...passwordArgs("adminPassword"), keepers: { rotation: "2" } });
    });

    test("values from config replace the generated ones, still as secrets; the others are generated", async () => {
        const { secrets, children } = generatedChildren({ adminPassword: false, carried: { sessionSecret: "s".repeat(32) }, rotations: NO_ROTATION });
        expect(await settle(secrets.values.sessionSecret)).toEqual({ value: "s".repeat(32), secret: true });
        expect(Object.keys(children).sort()).toEqual(["c-crypto-secret", "c-db-password", "c-redis-auth-token"]);
    });
});

describe("secretOutputs", () => {
    test("the connection strings the nodes get, as secrets, beside the secrets themselves", async () => {
        const { secrets } = generatedChildren({ adminPassword: false, rotations: NO_ROTATION });
        const outputs = secretOutputs(secrets, ENDPOINTS);
        const dbPassword = (await settle(secrets.values.dbPassword)).value;
        const redisToken = (await settle(secrets.values.redisAuthToken)).value;
        expect(await settle(outputs.sqlDsn)).toEqual({ value: `newapi:${dbPassword}@tcp(db.example.com:3306)/newapi?tls=true`, secret: true });
        expect(await settle(outputs.redisConnectionString)).toEqual({ value: `rediss://:${redisToken}@cache.example.com:6379`, secret: true });
        expect((await settle(outputs.sessionSecret)).value).toBe((await settle(secrets.values.sessionSecret)).value);
    });
});

// What a run under the mocks registered, as the engine received it: each resource with its
// inputs and its options (read from the registration request, which mocks' newResource does not
// see), and its inputs as the provider sees them. Must not depend on jest (bench/ uses it).
import type * as PulumiModule from "@pulumi/pulumi";

/** The key Pulumi marks a secret input value with, in what mocks receive ({ [key]: sig, value }). */
export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";

/** Inputs as the provider (and a policy) sees them: values marked secret, as plain values. */
export function unwrapSecrets(value: unknown): any {
    if (Array.isArray(value)) {
        return value.map(unwrapSecrets);
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (SECRET_SIG_KEY in record) {
            return unwrapSecrets(record.value);
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapSecrets(v)]));
    }
    return value;
}

/** Resource options as the engine receives them (mocks' newResource does not see them). */
export interface RegisteredOptions {
    /** The URN the engine gave the resource. */
    urn: string;
    parent: string;
    dependencies: string[];
    /** For each input property, the URNs of the resources its value came from. */
    propertyDependencies: Record<string, string[]>;
    ignoreChanges: string[];
    protect: boolean;
    deleteBeforeReplace: boolean;
}

export interface Registered {
    type: string;
    name: string;
    inputs: Record<string, any>;
    options: RegisteredOptions;
}

export interface Invoke {
    token: string;
    inputs: Record<string, any>;
}

type ResourceMonitor = NonNullable<ReturnType<typeof PulumiModule.runtime.getMonitor>>;
/** The form of ResourceMonitor.registerResource (a gRPC call) that the SDK calls: the request and a callback. */
type RegisterResource = (
    request: Parameters<ResourceMonitor["registerResource"]>[0],
    callback: (error: unknown, response?: { getUrn(): string }) => void,
) => unknown;

/** How the options of a registration are found again for the mocks' newResource: type and name. */
const resourceKey = (type: string, name: string) => `${type}::${name}`;

/** One run's registrations: the mocks' newResource adds each, with the options its request carried. */
export class RegistrationCapture {
    /** Every resource registered, in the order the mocks received them. */
    readonly resources: Registered[] = [];
    private readonly optionsByResource = new Map<string, RegisteredOptions>();

    /** Records a resource as the mocks' newResource receives it; its request went through the monitor first. */
    add(args: PulumiModule.runtime.MockResourceArgs): void {
        this.resources.push({
            type: args.type,
            name: args.name,
            inputs: args.inputs,
            options: this.optionsByResource.get(resourceKey(args.type, args.name)) as RegisteredOptions,
        });
    }

    /**
     * Reads each resource's options from the request the engine gets: the monitor is the one
     * setMocks made for this run (runtime.getMonitor), so call this after setMocks, and the
     * request its RegisterResourceRequest, as Pulumi's gRPC protocol (proto/pulumi/resource.proto)
     * defines it. `pulumi` is the SDK the program loads.
     */
    readOptionsFrom(pulumi: typeof PulumiModule): void {
        const monitor = pulumi.runtime.getMonitor() as ResourceMonitor;
        const registerResource = monitor.registerResource.bind(monitor) as unknown as RegisterResource;
        const recordingOptions: RegisterResource = (request, callback) => {
            const propertyDependencies: Record<string, string[]> = {};
            request.getPropertydependenciesMap().forEach((dependencies, property) => (propertyDependencies[property] = dependencies.getUrnsList()));
            const options: RegisteredOptions = {
                urn: "",
                parent: request.getParent(),
                dependencies: request.getDependenciesList(),
                propertyDependencies,
                ignoreChanges: request.getIgnorechangesList(),
                protect: request.getProtect() ?? false,
                deleteBeforeReplace: request.getDeletebeforereplace(),
            };
            this.optionsByResource.set(resourceKey(request.getType(), request.getName()), options);
            return registerResource(request, (error, response) => {
                options.urn = response?.getUrn() ?? "";
                callback(error, response);
            });
        };
        monitor.registerResource = recordingOptions as unknown as ResourceMonitor["registerResource"];
    }
}

// What changes between two runs of the program: the comparison `pulumi preview` makes,
// by logical identity (type and name) and inputs.
import { isDeepStrictEqual } from "util";

export interface Registration {
    type: string;
    name: string;
    inputs: Record<string, unknown>;
}

export interface RegistrationDiff {
    added: string[];
    removed: string[];
    /** Present in both runs with different inputs. */
    changed: string[];
}

export const registrationKey = (r: Registration) => `${r.type}::${r.name}`;

export function diffRegistrations(before: Registration[], after: Registration[]): RegistrationDiff {
    const index = (rs: Registration[]) => new Map(rs.map((r) => [registrationKey(r), r]));
    const old = index(before);
    const current = index(after);
    return {
        added: [...current.keys()].filter((k) => !old.has(k)).sort(),
        removed: [...old.keys()].filter((k) => !current.has(k)).sort(),
        changed: [...current.keys()]
            .filter((k) => old.has(k) && !isDeepStrictEqual(old.get(k)?.inputs, current.get(k)?.inputs))
            .sort(),
    };
}

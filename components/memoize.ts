// One lookup or resource per distinct key: several nodes share one AMI lookup, one digest
// resolution, one pulled image.

/** `create` runs once per key; later calls with the same key get the first result. */
export function memoize<V>(create: (key: string) => V): (key: string) => V {
    const made = new Map<string, V>();
    return (key) => {
        if (!made.has(key)) {
            made.set(key, create(key));
        }
        return made.get(key) as V;
    };
}

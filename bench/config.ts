// The config the benchmark evaluates: the defaults, with a connection budget that admits
// 100 slaves ((1 + 100) x 4 <= 1000).
export function benchConfig(slaveCount: number): Record<string, string> {
    return { slaveCount: String(slaveCount), sqlMaxOpenConns: "4", dbMaxConnections: "1000" };
}

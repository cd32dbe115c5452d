// Image references: what the nodes run once a tag has been resolved to its registry digest.

/** The repository of an image reference, without its tag or digest: "r.io:5000/a/b:v1@sha256:…" -> "r.io:5000/a/b". */
export function imageRepository(image: string): string {
    const withoutDigest = image.split("@")[0];
    const lastSlash = withoutDigest.lastIndexOf("/");
    const lastColon = withoutDigest.lastIndexOf(":");
    return lastColon > lastSlash ? withoutDigest.slice(0, lastColon) : withoutDigest;
}

/** The digest an image reference names, if it names one. */
export function imageDigest(image: string): string | undefined {
    return image.split("@")[1];
}

/** The reference that pins `image` to `digest`: every node given it runs the same bytes. */
export function pinnedImage(image: string, digest: string): string {
    if (!/^sha256:[0-9a-f]{64}$/.test(digest)) {
        throw new Error(`not an image digest: ${digest}`);
    }
    return `${imageRepository(image)}@${digest}`;
}

/** An Amazon ECR registry, whose pulls need a login (the nodes' role grants it). */
export interface EcrRegistry {
    host: string;
    account: string;
    region: string;
    /** The repository within the registry: "team/new-api". */
    repository: string;
}

/** The ECR registry an image reference lives in, or undefined for any other registry (Docker Hub, …). */
export function ecrRegistry(image: string): EcrRegistry | undefined {
    const match = /^((\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?)\/(.+)$/.exec(imageRepository(image));
    return match ? { host: match[1], account: match[2], region: match[3], repository: match[4] } : undefined;
}

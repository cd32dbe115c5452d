// Image references (components/images.ts): repository, digest, pinning, ECR registries.
import { ecrRegistry, imageDigest, imageRepository, pinnedImage } from "../components/images";

const DIGEST = `sha256:${"d".repeat(64)}`;
const ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com";

describe("image references", () => {
    test("pinnedImage keeps the repository, registry port included", () => {
        const digest = DIGEST;
        expect(pinnedImage("calciumion/new-api:v1", digest)).toBe(`calciumion/new-api@${digest}`);
        expect(pinnedImage("registry.example.com:5000/team/new-api:v1", digest)).toBe(`registry.example.com:5000/team/new-api@${digest}`);
        expect(imageRepository(`registry.example.com:5000/new-api@${digest}`)).toBe("registry.example.com:5000/new-api");
        expect(() => pinnedImage("calciumion/new-api:v1", "sha256:short")).toThrow(/not an image digest/);
    });

    test("a reference with neither registry nor tag is its own repository", () => {
        expect(imageRepository("nginx")).toBe("nginx");
        expect(pinnedImage("nginx", DIGEST)).toBe(`nginx@${DIGEST}`);
    });

    test("a digest is the whole value: nothing before or after it", () => {
        expect(() => pinnedImage("nginx", `x${DIGEST}`)).toThrow(/not an image digest/);
        expect(() => pinnedImage("nginx", `${DIGEST}0`)).toThrow(/not an image digest/);
    });

    test("the digest a reference names, if any", () => {
        expect(imageDigest(`calciumion/new-api@${DIGEST}`)).toBe(DIGEST);
        expect(imageDigest("calciumion/new-api:v1")).toBeUndefined();
    });
});

describe("ECR registries", () => {
    test("an ECR reference gives its registry, account, region and repository, tag or digest aside", () => {
        const registry = { host: ECR, account: "123456789012", region: "us-east-1", repository: "team/new-api" };
        expect(ecrRegistry(`${ECR}/team/new-api:v1`)).toEqual(registry);
        expect(ecrRegistry(`${ECR}/team/new-api@${DIGEST}`)).toEqual(registry);
    });

    test("the China partition's registries are ECR too", () => {
        expect(ecrRegistry("123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/new-api:v1")).toEqual({
            host: "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
            account: "123456789012",
            region: "cn-north-1",
            repository: "new-api",
        });
    });

    test("any other registry, or an ECR name inside another reference, is not ECR", () => {
        expect(ecrRegistry("calciumion/new-api:v1")).toBeUndefined();
        expect(ecrRegistry(`registry.example.com/${ECR}/new-api:v1`)).toBeUndefined();
        expect(ecrRegistry(`${ECR}/new-api\nother`)).toBeUndefined();
    });
});

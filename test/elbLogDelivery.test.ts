// Who may write the ALB's access logs, by Region (components/aws/elbLogDelivery.ts): the table
// against AWS's list, and the bucket policy the program sends in an older and a newer Region.
import { ELB_ACCOUNTS, ELB_ACCOUNTS_CHINA, ELB_LOG_DELIVERY_SERVICE, elbLogDeliveryPrincipal } from "../components/aws/elbLogDelivery";
import { accessLogBucketPolicy } from "../components/aws/loadBalancer";
import { AWS_CONFIG_CHECKS } from "../components/aws/configChecks";
import { parseClusterConfig } from "../components/config";
import { MOCK_ACCOUNT, ProgramError, named, program } from "./harness";

/** AWS's list ("Regions available before August 2022"), as the ELB guide's enable-access-logging page gives it. */
const AWS_LIST: [string, string][] = [
    ["us-east-1", "127311923021"],
    ["us-east-2", "033677994240"],
    ["us-west-1", "027434742980"],
    ["us-west-2", "797873946194"],
    ["af-south-1", "098369216593"],
    ["ap-east-1", "754344448648"],
    ["ap-southeast-3", "589379963580"],
    ["ap-south-1", "718504428378"],
    ["ap-northeast-3", "383597477331"],
    ["ap-northeast-2", "600734575887"],
    ["ap-southeast-1", "114774131450"],
    ["ap-southeast-2", "783225319266"],
    ["ap-northeast-1", "582318560864"],
    ["ca-central-1", "985666609251"],
    ["eu-central-1", "054676820928"],
    ["eu-west-1", "156460612806"],
    ["eu-west-2", "652711504416"],
    ["eu-south-1", "635631232127"],
    ["eu-west-3", "009996457667"],
    ["eu-north-1", "897822967062"],
    ["me-south-1", "076674570225"],
    ["sa-east-1", "507241528517"],
    ["us-gov-east-1", "190560391635"],
    ["us-gov-west-1", "048591011584"],
];

/** Regions opened since August 2022: not in the list, so only the service principal. */
const NEWER_REGIONS = ["ap-south-2", "ap-southeast-4", "ap-southeast-5", "ap-southeast-7", "ca-west-1", "eu-central-2", "eu-south-2", "il-central-1", "me-central-1", "mx-central-1"];

describe("elbLogDeliveryPrincipal", () => {
    test("the table is AWS's list, every Region once", () => {
        expect(Object.entries(ELB_ACCOUNTS).sort()).toEqual([...AWS_LIST].sort());
    });

    test("us-east-1 (available before August 2022): its ELB account, and the log delivery service", () => {
        expect(elbLogDeliveryPrincipal("us-east-1")).toEqual({ AWS: "arn:aws:iam::127311923021:root", Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
    });

    test.each(AWS_LIST.filter(([region]) => !region.startsWith("us-gov-")))("%s: the account %s in partition aws, and the service", (region, account) => {
        expect(elbLogDeliveryPrincipal(region)).toEqual({ AWS: `arn:aws:iam::${account}:root`, Service: ELB_LOG_DELIVERY_SERVICE });
    });

    test("AWS GovCloud (US): the account in partition aws-us-gov, and the service", () => {
        expect(elbLogDeliveryPrincipal("us-gov-west-1")).toEqual({ AWS: "arn:aws-us-gov:iam::048591011584:root", Service: ELB_LOG_DELIVERY_SERVICE });
        expect(elbLogDeliveryPrincipal("us-gov-east-1")).toEqual({ AWS: "arn:aws-us-gov:iam::190560391635:root", Service: ELB_LOG_DELIVERY_SERVICE });
    });

    test("AWS China: the account in partition aws-cn only", () => {
        expect(ELB_ACCOUNTS_CHINA).toEqual({ "cn-north-1": "638102146993", "cn-northwest-1": "037604701340" });
        expect(elbLogDeliveryPrincipal("cn-north-1")).toEqual({ AWS: "arn:aws-cn:iam::638102146993:root" });
        expect(elbLogDeliveryPrincipal("cn-northwest-1")).toEqual({ AWS: "arn:aws-cn:iam::037604701340:root" });
    });

    test.each(NEWER_REGIONS)("%s (opened since August 2022): the log delivery service only", (region) => {
        expect(elbLogDeliveryPrincipal(region)).toEqual({ Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
    });

    test.each(["us-iso-east-1", "us-isob-east-1", "eu-isoe-west-1", "us-isof-south-1", "eusc-de-east-1"])(
        "%s, a partition the ELB guide does not cover, is refused naming albAccessLogs and what is allowed",
        (region) => {
            expect(() => elbLogDeliveryPrincipal(region)).toThrow(
                `albAccessLogs = true: the load balancer is in ${region}, a Region whose access-log bucket permissions the ELB guide does not give; ` +
                    "allowed: a commercial, AWS GovCloud (US) or China Region, or albAccessLogs false",
            );
        },
    );

    test("the policy's delivery statement carries the Region's principal", () => {
        const statement = (region: string) => JSON.parse(accessLogBucketPolicy("arn:aws:s3:::logs", "111122223333", region)).Statement[0];
        expect(statement("eu-west-1")).toEqual({
            Sid: "ElbLogDelivery",
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::156460612806:root", Service: ELB_LOG_DELIVERY_SERVICE },
            Action: "s3:PutObject",
            Resource: "arn:aws:s3:::logs/AWSLogs/111122223333/*",
        });
        expect(statement("eu-south-2").Principal).toEqual({ Service: ELB_LOG_DELIVERY_SERVICE });
    });
});

describe("the access-log bucket policy the program sends", () => {
    const POLICY = "aws:s3/bucketPolicy:BucketPolicy";
    const delivery = async (config: Record<string, string>) =>
        JSON.parse(named(await program({ albAccessLogs: "true", ...config }), POLICY, "newapi-dev-alb-logs").inputs.policy).Statement[0];

    test("in us-east-1: ELB's account 127311923021 and the log delivery service", async () => {
        for (const config of [{}, { "aws:region": "us-east-1" }] as Record<string, string>[]) {
            expect(await delivery(config)).toMatchObject({
                Effect: "Allow",
                Principal: { AWS: "arn:aws:iam::127311923021:root", Service: "logdelivery.elasticloadbalancing.amazonaws.com" },
                Action: "s3:PutObject",
                Resource: expect.stringMatching(new RegExp(`/AWSLogs/${MOCK_ACCOUNT}/\\*$`)),
            });
        }
    });

    test("in ap-southeast-4 (Melbourne, opened 2023): the log delivery service only", async () => {
        expect((await delivery({ "aws:region": "ap-southeast-4" })).Principal).toEqual({ Service: "logdelivery.elasticloadbalancing.amazonaws.com" });
    });
});

describe("a Region the ELB guide does not cover", () => {
    const refusal =
        'new-api-cluster:albAccessLogs = "true": the load balancer is in us-iso-east-1, a Region whose access-log bucket permissions the ELB guide does not give; ' +
        "allowed: a commercial, AWS GovCloud (US) or China Region, or albAccessLogs false";

    test("config validation refuses albAccessLogs there, and only there", () => {
        expect(() => parseClusterConfig({ albAccessLogs: "true" }, "dev", "us-iso-east-1", [], undefined, AWS_CONFIG_CHECKS)).toThrow(refusal);
        expect(parseClusterConfig({}, "dev", "us-iso-east-1").albAccessLogs).toBe(false);
        expect(parseClusterConfig({ albAccessLogs: "true" }, "dev", "cn-north-1").albAccessLogs).toBe(true);
        expect(parseClusterConfig({ albAccessLogs: "true" }, "dev").albAccessLogs).toBe(true);
    });

    test("the program stops before it creates anything", async () => {
        const error = await program({ albAccessLogs: "true", "aws:region": "us-iso-east-1" }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ProgramError);
        expect((error as ProgramError).message).toContain(refusal);
        expect((error as ProgramError).registered).toEqual([]);
    });
});

// The front door's HTTPS tables: the ACM certificate, its validation, and the Route 53 records.
import { Table, field, integer, length, oneOf, pattern, required, rule } from "../rules";
import { TAG_CHARACTERS, tagRule } from "./common";

const ACM = "https://docs.aws.amazon.com/acm/latest/APIReference";
const ROUTE53 = "https://docs.aws.amazon.com/Route53/latest/APIReference";

export const HTTPS: Record<string, Table> = {
    "aws:acm/certificate:Certificate": {
        rules: [
            // The first name becomes the certificate's Common Name, at most 64 octets.
            field(
                "domainName",
                pattern(/^(?=.{1,64}$)(\*\.)?(((?!-)[A-Za-z0-9-]{0,62}[A-Za-z0-9])\.)+((?!-)[A-Za-z0-9-]{1,62}[A-Za-z0-9])$/, "a DNS name of at most 64 characters", `${"a".repeat(60)}.example.com`),
                `${ACM}/API_RequestCertificate.html`,
            ),
            field("validationMethod", oneOf(["DNS", "EMAIL"]), `${ACM}/API_RequestCertificate.html`),
            tagRule(`${ACM}/API_Tag.html`, TAG_CHARACTERS),
        ],
    },
    "aws:acm/certificateValidation:CertificateValidation": {
        rules: [required("certificateArn", `${ACM}/API_DescribeCertificate.html`)],
    },
    "aws:route53/record:Record": {
        rules: [
            field("name", length(1, 1024), `${ROUTE53}/API_ResourceRecordSet.html`),
            field("type", oneOf(["A", "AAAA", "CAA", "CNAME", "DS", "MX", "NAPTR", "NS", "PTR", "SOA", "SPF", "SRV", "TXT"]), `${ROUTE53}/API_ResourceRecordSet.html`),
            field("ttl", integer(0, 2147483647), `${ROUTE53}/API_ResourceRecordSet.html`),
            rule(
                "an alias record has no TTL and no records; any other record has both",
                `${ROUTE53}/API_ResourceRecordSet.html`,
                (i) => (i.aliases === undefined ? i.ttl !== undefined && i.records !== undefined : i.ttl === undefined && i.records === undefined),
                (i) => ({ ...i, aliases: [{ name: "alb.example.com", zoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: true }], ttl: 300 }),
            ),
        ],
    },
};

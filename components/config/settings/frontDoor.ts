// The load balancer's front door on AWS: its HTTPS certificate and DNS name (the first settings of
// section operations; operations.ts holds the rest of that section).
import { matches } from "../checks";
import { optionalText } from "../kinds";

/** HTTPS and the cluster's name, in reading order. */
export const FRONT_DOOR_SETTINGS = {
    certificateArn: optionalText({
        scope: "aws",
        section: "operations",
        check: matches(
            /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[0-9a-f-]{36}$/,
            "must be an ACM certificate ARN such as arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-0a1b-0a1b-0a1b-0a1b2c3d4e5f",
        ),
        allowed: "an ACM certificate ARN in `aws:region`",
        doc: "HTTPS on 443 (TLS 1.3/1.2); port 80 only redirects",
    }),
    domainName: optionalText({
        scope: "aws",
        section: "operations",
        check: matches(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "must be a lower-case DNS name such as api.example.com"),
        allowed: "a lower-case DNS name",
        doc:
            "with `hostedZoneId`: the cluster's name (an alias record to the ALB); without `certificateArn` the stack requests an ACM certificate for it, " +
            "validated through DNS (then at most 64 characters, ACM's limit for a certificate's name)",
    }),
    hostedZoneId: optionalText({
        scope: "aws",
        section: "operations",
        check: matches(/^Z[A-Z0-9]{4,31}$/, "must be a Route 53 hosted zone id such as Z0123456789ABCDEFGHIJ"),
        allowed: "a Route 53 hosted zone id",
        doc: "the Route 53 zone of `domainName`",
    }),
};

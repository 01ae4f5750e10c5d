import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/load";

export interface AlertsArgs {
    config: StackConfig["alerts"];
    /** `<project>-<environment>`: the topic is `<identifier>-alerts`. */
    identifier: string;
    provider: aws.Provider;
}

/** The stack's alarm topic and its subscriptions from config; every CloudWatch alarm notifies it. */
export class Alerts extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: AlertsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:aws:Alerts", name, {}, opts);
        const awsOpts = { parent: this, provider: args.provider };
        // No KMS key here: CloudWatch cannot publish to a topic under the AWS-managed SNS key (key policies are the security baseline's).
        const topic = new aws.sns.Topic(`${name}-topic`, { name: `${args.identifier}-alerts` }, awsOpts);
        args.config.subscriptions.forEach((subscription, i) => {
            new aws.sns.TopicSubscription(
                `${name}-subscription-${i}`,
                { topic: topic.arn, protocol: subscription.protocol, endpoint: subscription.endpoint },
                awsOpts,
            );
        });
        this.topicArn = topic.arn;
        this.registerOutputs({ topicArn: this.topicArn });
    }
}

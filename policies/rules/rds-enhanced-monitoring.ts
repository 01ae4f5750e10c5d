import { resourcePolicy } from "../lib";

export default resourcePolicy<{ maximumIntervalSeconds: number }>({
    name: "rds-enhanced-monitoring",
    description: "FSBP RDS.6: RDS instances publish enhanced monitoring (OS metrics) through a monitoring role.",
    enforcementLevel: "mandatory",
    config: { maximumIntervalSeconds: { type: "integer", default: 60, minimum: 1, maximum: 60 } },
    types: ["aws:rds/instance:Instance"],
    validate: (props, { name, config, report }) => {
        const interval = props["monitoringInterval"] ?? 0;
        if (interval <= 0 || interval > config.maximumIntervalSeconds || !props["monitoringRoleArn"])
            report(
                `RDS instance ${name} has no enhanced monitoring every ${config.maximumIntervalSeconds} s or less (interval ${interval}).`,
            );
    },
});

import type { StackConfig } from "../../config/load";
import type { AlertRoute } from "../../config/observability";

type Monitoring = StackConfig["monitoring"];

/** Receivers by route; `none` drops the alert (dev). */
const RECEIVER: Record<AlertRoute, string> = { pagerduty: "pagerduty", slack: "slack", none: "null" };

/**
 * The Alertmanager configuration (alertmanager.yaml) for a stack: critical and warning alerts each go
 * to their configured route; everything else (the add-on's own rules) goes to Slack when there is one.
 * `keys` are the provided secrets' plain values: the result is only ever written into a Secret.
 */
export function alertmanagerConfig(monitoring: Monitoring, keys: { slackWebhookUrl?: string; pagerdutyRoutingKey?: string }) {
    const used = new Set<AlertRoute>([monitoring.routes.critical, monitoring.routes.warning]);
    const receivers: Record<string, unknown>[] = [{ name: "null" }];
    if (used.has("pagerduty")) {
        if (!keys.pagerdutyRoutingKey) throw new Error("alertmanagerConfig: a pagerduty route needs monitoring.pagerdutyRoutingKey");
        receivers.push({ name: "pagerduty", pagerduty_configs: [{ routing_key: keys.pagerdutyRoutingKey, send_resolved: true }] });
    }
    if (used.has("slack")) {
        if (!keys.slackWebhookUrl) throw new Error("alertmanagerConfig: a slack route needs monitoring.slackWebhookUrl");
        receivers.push({
            name: "slack",
            slack_configs: [
                {
                    api_url: keys.slackWebhookUrl,
                    channel: monitoring.slackChannel,
                    send_resolved: true,
                    title: "[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }} {{ .CommonLabels.service }}",
                    text: "{{ range .Alerts }}{{ .Annotations.summary }}\n{{ end }}",
                },
            ],
        });
    }
    return {
        route: {
            receiver: used.has("slack") ? "slack" : "null",
            group_by: ["alertname", "namespace", "service"],
            group_wait: "30s",
            group_interval: "5m",
            repeat_interval: "4h",
            routes: [
                // The add-on's always-firing heartbeat is not an incident.
                { receiver: "null", matchers: ['alertname="Watchdog"'] },
                { receiver: RECEIVER[monitoring.routes.critical], matchers: ['severity="critical"'] },
                { receiver: RECEIVER[monitoring.routes.warning], matchers: ['severity="warning"'] },
            ],
        },
        receivers,
    };
}

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { clusterIssuerSpec } from "../components/cluster-addons";
import { eksKubeconfig } from "../components/cluster/exec-kubeconfig";
import { carveSubnets } from "../components/cluster/subnets";
import { podSecurityLabels } from "../components/namespace";

describe("carveSubnets", () => {
    it("gives each zone a large private and a small public subnet, without overlap", () => {
        assert.deepEqual(carveSubnets("10.0.0.0/16", 3), {
            private: ["10.0.0.0/19", "10.0.32.0/19", "10.0.64.0/19"],
            public: ["10.0.224.0/22", "10.0.228.0/22", "10.0.232.0/22"],
        });
    });

    it("works on other ranges", () => {
        assert.deepEqual(carveSubnets("172.20.0.0/20", 2), {
            private: ["172.20.0.0/23", "172.20.2.0/23"],
            public: ["172.20.14.0/26", "172.20.14.64/26"],
        });
    });

    it("refuses zone counts and ranges it cannot split", () => {
        assert.throws(() => carveSubnets("10.0.0.0/16", 0), /expected 1 to 7 availability zones, got 0/);
        assert.throws(() => carveSubnets("10.0.0.0/28", 2), /expected a VPC CIDR from \/8 to \/22, got 10.0.0.0\/28/);
    });
});

describe("eksKubeconfig", () => {
    it("authenticates through aws eks get-token as whoever runs Pulumi: no role that differs between preview and deploy", () => {
        const config = JSON.parse(
            eksKubeconfig({
                clusterName: "supernova-prod",
                endpoint: "https://example.eks",
                certificateAuthority: "Q0E=",
                region: "eu-west-1",
            }),
        );
        assert.equal(config["current-context"], "supernova-prod");
        assert.equal(config.clusters[0].cluster.server, "https://example.eks");
        assert.deepEqual(config.users[0].user.exec.args, ["eks", "get-token", "--cluster-name", "supernova-prod", "--region", "eu-west-1"]);
        assert.equal(config.users[0].user.token, undefined, "no static token");
    });
});

describe("namespace and issuer settings", () => {
    it("labels enforce, audit and warn at the same level", () => {
        assert.deepEqual(podSecurityLabels(), {
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/audit-version": "latest",
            "pod-security.kubernetes.io/warn": "restricted",
            "pod-security.kubernetes.io/warn-version": "latest",
        });
    });

    it("points each issuer at its ACME directory", () => {
        assert.match(clusterIssuerSpec("letsencrypt-staging", "a@b.co").acme.server, /acme-staging-v02/);
        assert.match(clusterIssuerSpec("letsencrypt-prod", "a@b.co").acme.server, /\/\/acme-v02/);
    });
});

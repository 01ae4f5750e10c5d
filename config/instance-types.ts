/** vCPU and memory of the EC2 instance types a node group may use. Extend when a new type is needed. */
export const INSTANCE_TYPES: Readonly<Record<string, { vcpu: number; memoryGiB: number }>> = {
    "t3.medium": { vcpu: 2, memoryGiB: 4 },
    "t3.large": { vcpu: 2, memoryGiB: 8 },
    "t3.xlarge": { vcpu: 4, memoryGiB: 16 },
    "m6i.large": { vcpu: 2, memoryGiB: 8 },
    "m6i.xlarge": { vcpu: 4, memoryGiB: 16 },
    "m6i.2xlarge": { vcpu: 8, memoryGiB: 32 },
    "m7i.large": { vcpu: 2, memoryGiB: 8 },
    "m7i.xlarge": { vcpu: 4, memoryGiB: 16 },
    "c6i.xlarge": { vcpu: 4, memoryGiB: 8 },
    "c6i.2xlarge": { vcpu: 8, memoryGiB: 16 },
    "c7i.xlarge": { vcpu: 4, memoryGiB: 8 },
    "r6i.large": { vcpu: 2, memoryGiB: 16 },
    "r6i.xlarge": { vcpu: 4, memoryGiB: 32 },
};

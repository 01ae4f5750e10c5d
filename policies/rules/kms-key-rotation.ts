import { resourcePolicy } from "../lib";

export default resourcePolicy({
    name: "kms-key-rotation",
    description: "FSBP KMS.4 / CIS AWS 3.6: customer-managed symmetric KMS keys rotate yearly.",
    enforcementLevel: "mandatory",
    types: ["aws:kms/key:Key"],
    validate: (props, { name, report }) => {
        const symmetric = (props["customerMasterKeySpec"] ?? props["keySpec"] ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT";
        if (symmetric && props["enableKeyRotation"] !== true) report(`KMS key ${name} does not rotate.`);
    },
});

# pm-action at organisation scale: the shared DynamoDB tables, the baselines bucket, the
# redaction key in SSM, the KMS key encrypting all of it, the GitHub OIDC provider and the
# least-privilege role the action assumes, and CloudWatch alarms.
#
# Names, keys and TTL attributes must match src/store/aws/tables.ts;
# __tests__/aws/terraform.test.ts parses these files and checks them against the code.

terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40"
    }
    random = {
      source  = "hashicorp/random"
      version = ">= 3.5"
    }
  }
}

provider "aws" {
  region = var.region
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

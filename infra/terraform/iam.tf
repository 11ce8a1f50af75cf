# GitHub OIDC → a least-privilege role. The trust policy pins the audience and the subject, in
# both forms GitHub issues: the default `repo:<org>/<repo>:…` and, when the organisation
# customised its subject to immutable ids, `repository_owner_id:<id>:…`.

locals {
  oidc_host = "token.actions.githubusercontent.com"
  repo_subjects = flatten([
    for repo in var.github_repositories : concat(
      ["repo:${var.github_org}/${repo}:pull_request"],
      [for b in var.github_branches : "repo:${var.github_org}/${repo}:ref:refs/heads/${b}"],
      ["repo:${var.github_org}/${repo}:ref:refs/heads/gh-readonly-queue/*"],
      [for e in var.github_environments : "repo:${var.github_org}/${repo}:environment:${e}"]
    )
  ])
  id_subjects  = var.github_owner_id == "" ? [] : ["repository_owner_id:${var.github_owner_id}:*"]
  oidc_provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/token.actions.githubusercontent.com"
  table_arns = [
    aws_dynamodb_table.fp_events.arn,
    aws_dynamodb_table.block_counter.arn,
    aws_dynamodb_table.consent.arn,
    aws_dynamodb_table.calibration.arn,
  ]
}

resource "aws_iam_openid_connect_provider" "github" {
  count           = var.create_oidc_provider ? 1 : 0
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1", "1c58a3a8518e8759bf075b76b750d4f2df264fcd"]
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "GitHubOidc"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [local.oidc_provider_arn]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = concat(local.repo_subjects, local.id_subjects)
    }
  }
}

resource "aws_iam_role" "pm_action" {
  name                 = var.role_name
  description          = "Assumed by pm-action with GitHub OIDC"
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "pm_action" {
  statement {
    sid       = "Tables"
    effect    = "Allow"
    actions   = ["dynamodb:BatchGetItem", "dynamodb:ConditionCheckItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query", "dynamodb:UpdateItem"]
    resources = local.table_arns
  }
  statement {
    sid       = "RuleIndex"
    effect    = "Allow"
    actions   = ["dynamodb:Query"]
    resources = ["${aws_dynamodb_table.fp_events.arn}/index/RuleIndex"]
  }
  statement {
    sid       = "BaselineObjects"
    effect    = "Allow"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.baselines.arn}/*"]
  }
  statement {
    sid       = "BaselineBucket"
    effect    = "Allow"
    actions   = ["s3:ListBucket"]
    resources = [aws_s3_bucket.baselines.arn]
  }
  statement {
    sid       = "RedactionKey"
    effect    = "Allow"
    actions   = ["ssm:GetParametersByPath"]
    resources = ["arn:${data.aws_partition.current.partition}:ssm:${var.region}:${data.aws_caller_identity.current.account_id}:parameter/guardian/${var.environment}"]
  }
  statement {
    sid       = "Kms"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.pm_action.arn]
  }
}

resource "aws_iam_role_policy" "pm_action" {
  name   = "pm-action"
  role   = aws_iam_role.pm_action.id
  policy = data.aws_iam_policy_document.pm_action.json
}

# Baselines: s3://<bucket>/<owner>/<repo>/integrity-baseline.json, versioned (a bad baseline can
# be rolled back), KMS-encrypted, never public.

resource "aws_s3_bucket" "baselines" {
  bucket = var.baseline_bucket_name
}

resource "aws_s3_bucket_versioning" "baselines" {
  bucket = aws_s3_bucket.baselines.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "baselines" {
  bucket = aws_s3_bucket.baselines.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.pm_action.arn
    }
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_public_access_block" "baselines" {
  bucket                  = aws_s3_bucket.baselines.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "baselines" {
  bucket = aws_s3_bucket.baselines.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "baselines" {
  bucket = aws_s3_bucket.baselines.id
  rule {
    id     = "expire-old-baseline-versions"
    status = "Enabled"
    filter {}
    noncurrent_version_expiration {
      noncurrent_days = 365
    }
  }
}

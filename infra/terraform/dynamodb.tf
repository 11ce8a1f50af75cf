# Key schemas and attribute names: DESIGN §7 and src/store/aws/tables.ts.

resource "aws_dynamodb_table" "fp_events" {
  name         = var.fp_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }
  attribute {
    name = "gsi1pk"
    type = "S"
  }
  attribute {
    name = "gsi1sk"
    type = "S"
  }

  # Items are keyed by finding; the index carries DESIGN's event key (rule#<id> /
  # event#<iso>#<eventId>) for the calibration windows, which read events from it.
  global_secondary_index {
    name            = "RuleIndex"
    hash_key        = "gsi1pk"
    range_key       = "gsi1sk"
    projection_type = "ALL"
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.pm_action.arn
  }
}

resource "aws_dynamodb_table" "block_counter" {
  name         = var.block_counter_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "bucketKey"

  attribute {
    name = "bucketKey"
    type = "S"
  }

  ttl {
    attribute_name = "expiresAt"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.pm_action.arn
  }
}

resource "aws_dynamodb_table" "consent" {
  name         = var.consent_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "orgId"
  range_key    = "sk"

  attribute {
    name = "orgId"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.pm_action.arn
  }
}

resource "aws_dynamodb_table" "calibration" {
  name         = var.calibration_table_name
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }
  attribute {
    name = "sk"
    type = "S"
  }

  point_in_time_recovery {
    enabled = true
  }

  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.pm_action.arn
  }
}

provider "aws" {
  region = "eu-west-1"
  default_tags {
    tags = { owner = "team-platform", expires = "2027-06-30" }
  }
}

resource "aws_iam_role" "deployer" {
  name = "ci-deployer"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { Service = "codebuild.amazonaws.com" }
    }]
  })
  tags = { retire_on = "ci-migration-done" }
}

# Everything, everywhere: nhilint's NHI-PRIV-004 and a dozen checkov checks say so.
resource "aws_iam_role_policy" "deployer_admin" {
  name = "deploy-anything"
  role = aws_iam_role.deployer.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = "*"
      Resource = "*"
    }]
  })
}

resource "aws_iam_user" "reporter" {
  name = "report-bot"
  tags = { retire_on = "reports-v2" }
}

# A policy on a user, not a role: only checkov reports it (CKV_AWS_40).
resource "aws_iam_user_policy" "reporter_read" {
  name = "read-reports"
  user = aws_iam_user.reporter.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "arn:aws:s3:::reports/*" }]
  })
}

resource "aws_iam_user_policy" "reporter_legacy" {
  #checkov:skip=CKV_AWS_40:legacy reporting bot, removal tracked in OPS-12
  name = "legacy-reports"
  user = aws_iam_user.reporter.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:ListBucket"], Resource = "arn:aws:s3:::reports" }]
  })
}

module "app" {
  source = "./modules/app"
}

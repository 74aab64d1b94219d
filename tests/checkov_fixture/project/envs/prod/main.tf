resource "aws_iam_role" "deploy" {
  name = "prod-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "arn:aws:iam::210987654321:root" }
    }]
  })
  tags = { owner = "team-release", expires = "2027-01-31", retire_on = "release-v3" }
}

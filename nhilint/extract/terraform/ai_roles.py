"""Azure built-in roles of Azure OpenAI, AI Services and Foundry, by role definition GUID.

An assignment by GUID (`role_definition_id = ".../roleDefinitions/5e0bd9bd-…"`, as Bicep-trained authors
often write) then reads as the role's name, as an assignment by `role_definition_name` does. Source:
Microsoft's "Azure built-in roles for AI + machine learning" list (learn.microsoft.com, 2025); the Foundry
roles were renamed from "Azure AI …" in 2025, both names are the same GUID and the older one is kept here
because it is what `role_definition_name` in existing code says.
"""

from __future__ import annotations

AI_BUILTIN_ROLES: dict[str, str] = {
    "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd": "Cognitive Services OpenAI User",
    "a001fd3d-188f-4b5d-821b-7da978bf7442": "Cognitive Services OpenAI Contributor",
    "a97b65f3-24c7-4388-baec-2e87135dc908": "Cognitive Services User",  # may list the account's API keys
    "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68": "Cognitive Services Contributor",  # manages accounts and keys
    "64702f94-c441-49e6-a78b-ef80e0188fee": "Azure AI Developer",
    "b78c5d69-af96-48a3-bf8d-a8b4d589de94": "Azure AI Administrator",
    "53ca6127-db72-4b80-b1b0-d745d6d5456d": "Azure AI User",
    "eadc314b-1a2d-4efa-be10-5d325db5065e": "Azure AI Project Manager",
}

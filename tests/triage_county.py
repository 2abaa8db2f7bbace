"""The triage tests' small county: five relatives paid by one approver (SUB findings)."""

from __future__ import annotations

PERSONS = (["person_id", "name", "id_number", "gender", "birth_date", "death_date", "phone"],
           [[f"R{i}", name, "", "男", "", "", ""]
            for i, name in enumerate(["张伟", "李强", "王磊", "刘洋", "陈杰"], 1)]
           + [["A1", "赵敏", "", "女", "", "", ""]])
ORGS = (["org_id", "name", "kind", "credit_code", "parent_org_id"],
        [["O1", "县民政局", "agency", "", ""]])
PAYMENTS = (["payment_id", "payer_org_id", "approver_id", "recipient_id", "amount", "date",
             "program", "sector", "bank_account"],
            [[f"M{i}", "O1", "A1", f"R{i}", "1200", "2023-03-01", "低保", "social_security",
              "6222000011112222"] for i in range(1, 6)])

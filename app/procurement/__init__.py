"""Public-service projects (公益服务项目): calls, applications, the expert panel's scores, the award,
contracts paid on evaluation (政府承担、定向委托、合同管理、评估兑现). See docs/procurement.md."""

from flask import Blueprint

bp = Blueprint("procurement", __name__)

from app.procurement import routes, routes_contracts  # noqa: E402,F401
